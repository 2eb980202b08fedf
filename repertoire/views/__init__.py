"""Pages of the repertoire: the libraries, a resource and its files, history, collections and harvest."""
