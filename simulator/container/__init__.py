"""The container: the Docker engine adapter, the in-container agent, source staging and the build image."""
