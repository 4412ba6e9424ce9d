variable "environment" {
  description = "Deployment stage of the pipeline: dev or prod."
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "The environment must be \"dev\" or \"prod\"."
  }
}

variable "region" {
  description = "AWS region the stage deploys to."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "The region must look like us-east-1."
  }
}

variable "project" {
  description = "Prefix of every resource name."
  type        = string
  default     = "ecommerce-ai-platform"
}

variable "image_tag" {
  description = "Tag of the build that produced the packages (the commit's short hash, or latest)."
  type        = string
  default     = "latest"
}
