"""The small shared layer every app may import: it imports no app of the project."""
