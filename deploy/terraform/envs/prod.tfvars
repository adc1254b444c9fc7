environment        = "prod"
aws_region         = "eu-west-1"
availability_zones = ["eu-west-1a", "eu-west-1b"]
image_tag          = "0.1.0"
vpc_cidr           = "10.40.0.0/16"
nat_gateways       = "per_az"

services = {
  product   = { cpu = 512, memory = 1024, min_count = 2, max_count = 6 }
  inventory = { cpu = 512, memory = 1024, min_count = 2, max_count = 6 }
  gateway   = { cpu = 1024, memory = 2048, min_count = 2, max_count = 10 }
}
web_concurrency = 3
log_level       = "INFO"

log_retention_days = 365
ecr_keep_images    = 50

# Replace with the production certificate and host name before the first apply.
certificate_arn = "arn:aws:acm:eu-west-1:222222222222:certificate/00000000-0000-0000-0000-000000000000"
domain_names    = ["stockwiz.example.com"]
alarm_email     = "ops@stockwiz.example.com"

db_instance_class           = "db.t4g.medium"
db_allocated_storage_gb     = 50
db_max_allocated_storage_gb = 500
db_backup_retention_days    = 30
