"""The HTML pages of the commitments app, one module per area of the product."""
