"""The store's SQL, one module per reader: the services build their conditions (scope, filters) and call
these for the statements."""
