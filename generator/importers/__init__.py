"""Importers that turn another platform's export into introchain content.

``wordpress`` parses a WXR file into frozen dataclasses, ``markdown_convert`` turns post and
comment HTML (with shortcodes) into Markdown, ``comments`` picks and threads the approved
comments, ``people`` maps authors and commenters to person ids, ``plan`` decides every file to
write, and ``writer`` renders and writes them. Nothing is
written until the whole plan is made, so a bad export leaves the content folder untouched.
"""
