# Settings come from envs/<environment>.s3.tfbackend at init time, so one
# configuration serves every environment:
#   terraform init -backend-config=envs/dev.s3.tfbackend
terraform {
  backend "s3" {}
}
