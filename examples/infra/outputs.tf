output "lambda_function_names" {
  description = "Name of each Lambda function, by service."
  value       = local.function_names
}

output "lambda_settings" {
  description = "Runtime, handler, package and memory of each Lambda function, by function name."
  value       = { for name, settings in local.lambdas : local.function_names[name] => settings }
}

output "frontend_bucket" {
  description = "S3 bucket the frontend's dist/ is synced to."
  value       = local.frontend_bucket
}

output "tags" {
  description = "Tags every resource of the stage carries."
  value       = local.common_tags
}
