"""Load and validate content: files on disk -> a validated ``Site`` or every error found."""
