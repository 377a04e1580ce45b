"""The buyer's pages, one module per topic."""
