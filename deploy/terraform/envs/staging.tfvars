environment        = "staging"
aws_region         = "eu-west-1"
availability_zones = ["eu-west-1a", "eu-west-1b"]
image_tag          = "0.1.0"
vpc_cidr           = "10.30.0.0/16"
nat_gateways       = "single"

services = {
  product   = { cpu = 256, memory = 512, min_count = 1, max_count = 3 }
  inventory = { cpu = 256, memory = 512, min_count = 1, max_count = 3 }
  gateway   = { cpu = 512, memory = 1024, min_count = 2, max_count = 4 }
}
web_concurrency = 2
log_level       = "INFO"

log_retention_days = 30
ecr_keep_images    = 30

# Replace with the staging certificate and its host name before the first apply.
certificate_arn = "arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"
domain_names    = ["staging.stockwiz.example.com"]

db_instance_class           = "db.t4g.small"
db_allocated_storage_gb     = 20
db_max_allocated_storage_gb = 100
db_backup_retention_days    = 7
