terraform {
  # 1.10 brings S3 state locking without DynamoDB; 1.11 brings write-only
  # arguments, which keep the generated Django SECRET_KEY out of the state.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 6.0"
    }
  }
}
