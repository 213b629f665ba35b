"""`sitegen serve`: the local server, live reload and the file watcher."""
