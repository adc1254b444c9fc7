variable "name" {
  type        = string
  description = "Secret name, e.g. stockwiz-dev/django-secret-key."
}

variable "recovery_window_days" {
  type        = number
  description = "Days a deleted secret can be restored; 0 deletes at once (so a torn-down environment can be recreated under the same name)."

  validation {
    condition     = var.recovery_window_days == 0 || (var.recovery_window_days >= 7 && var.recovery_window_days <= 30)
    error_message = "recovery_window_days must be 0 or between 7 and 30."
  }
}

variable "key_version" {
  type        = number
  description = "Raise to write a newly generated key; every signed-in user is signed out."
  default     = 1
}
