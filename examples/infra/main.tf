locals {
  name_prefix = "${var.project}-${var.environment}"
  is_prod     = var.environment == "prod"

  # One entry per Lambda the pipeline builds; the keys match the package names in the build artifacts.
  lambdas = {
    orders = {
      runtime     = "python3.11"
      handler     = "orders.handler.lambda_handler"
      package     = "orders.zip"
      memory_size = local.is_prod ? 512 : 256
    }
    inventory = {
      runtime     = "java17"
      handler     = "com.example.shop.inventory.InventoryHandler::handleRequest"
      package     = "inventory.jar"
      memory_size = local.is_prod ? 1024 : 512
    }
  }

  function_names = { for name, _ in local.lambdas : name => "${local.name_prefix}-${name}" }

  # Bucket names are global: the region keeps dev and prod in different regions from colliding.
  frontend_bucket = "${local.name_prefix}-frontend-${var.region}"

  common_tags = {
    Project     = var.project
    Environment = var.environment
    ImageTag    = var.image_tag
    ManagedBy   = "terraform"
  }
}
