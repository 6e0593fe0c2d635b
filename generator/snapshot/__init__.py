"""``introchain snapshot``: freeze a conversation from another platform into a story's comments.yaml."""
