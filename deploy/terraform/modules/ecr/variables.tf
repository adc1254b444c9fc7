variable "name" {
  type        = string
  description = "Repository name, e.g. stockwiz-dev."
}

variable "keep_images" {
  type        = number
  description = "How many most recent images to keep; older ones are expired so storage does not grow without bound."

  validation {
    condition     = var.keep_images >= 5 && floor(var.keep_images) == var.keep_images
    error_message = "keep_images must be a whole number of at least 5, so a rollback target is always there."
  }
}
