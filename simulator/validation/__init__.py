"""`validate`'s work beyond one file's schema: finding the repository's build files and the checks across them."""
