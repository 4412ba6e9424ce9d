"""The orders service: prices a checkout and answers API Gateway requests for it."""
