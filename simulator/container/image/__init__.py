"""The simulator's build image, made locally without any container registry.

One module per idea: `names` (which local image a buildspec's image name runs in), `presence` (is it on the
engine, can a registry give it), `provision` (make sure the image a build needs is there), `build` (the Docker
build of the default image from imagefiles/), `base` (its Debian base: tagged from debian:bookworm-slim or
bootstrapped), `debian_mirror` (the host's Debian mirror, read from apt's sources) and `bootstrap` (debootstrap).
"""
