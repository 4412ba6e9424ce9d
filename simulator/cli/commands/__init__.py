"""One module per subcommand; each owns its flags (`add_parser`) and its handler (`run`)."""
