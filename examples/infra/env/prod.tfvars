environment = "prod"
region      = "us-west-2"
