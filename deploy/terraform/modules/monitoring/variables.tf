variable "name" {
  type        = string
  description = "Name prefix of the topic, dashboard and alarms, e.g. stockwiz-dev."
}

variable "alarm_email" {
  type        = string
  description = "Address subscribed to the alarm topic, or null for none (the subscription must be confirmed from the e-mail)."
  default     = null
}

variable "cluster_name" {
  type        = string
  description = "ECS cluster of the services."
}

variable "service_names" {
  type        = map(string)
  description = "ECS service name per role."
}

variable "load_balancer_arn_suffix" {
  type        = string
  description = "LoadBalancer dimension of the load balancer metrics."
}

variable "target_group_arn_suffix" {
  type        = string
  description = "TargetGroup dimension of the gateway target group metrics."
}

variable "db_instance_identifier" {
  type        = string
  description = "DBInstanceIdentifier dimension of the database metrics."
}

variable "db_free_storage_threshold_bytes" {
  type        = number
  description = "Alarm when the database has less free storage than this."
}

variable "cpu_alarm_percent" {
  type        = number
  description = "Alarm when a service's average CPU stays above this."
  default     = 80
}

variable "error_rate_alarm_percent" {
  type        = number
  description = "Alarm when this share of load balancer requests end in a 5xx answer."
  default     = 5
}
