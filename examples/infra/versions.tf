# Provider-free on purpose: `terraform init -backend=false` and `terraform validate` must work in a
# build container that reaches no Terraform registry. The resources (Lambda functions, S3 bucket,
# API Gateway) live in the platform team's modules; this root computes and publishes the names they use.
terraform {
  required_version = ">= 1.0.0"
}
