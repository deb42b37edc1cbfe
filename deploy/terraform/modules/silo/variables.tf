# Inputs come validated from the calling class module (gateway, sealing, proving); these only check what ties them together.

variable "name" {
  description = "Prefix of the instances' Name tags (NAME-0, NAME-1, …), e.g. \"granary-sealing\"."
  type        = string
}

variable "class" {
  description = "The machine class: markets, sealing or proving (picks granary-CLASS.service and /etc/granary/CLASS.env)."
  type        = string
  validation {
    condition     = contains(["markets", "sealing", "proving"], var.class)
    error_message = "class must be markets, sealing or proving."
  }
}

variable "subnet_id" {
  description = "The subnet the instances go in."
  type        = string
}

variable "private_ips" {
  description = "One fixed private address per instance (the one its config.toml advertises)."
  type        = list(string)
}

variable "config_tomls" {
  description = "The rendered config.toml of each instance, in the order of private_ips."
  type        = list(string)
  sensitive   = true
  validation {
    condition     = length(var.config_tomls) >= 1
    error_message = "config_tomls must hold a config.toml per instance."
  }
}

variable "security_group_ids" {
  description = "Security groups of every instance (the silo security group, and for gateways the public one)."
  type        = list(string)
}

variable "ami_id" {
  description = "The machine image."
  type        = string
}

variable "key_name" {
  description = "EC2 key pair (null: none)."
  type        = string
  default     = null
}

variable "instance_type" {
  description = "EC2 instance type."
  type        = string
}

variable "root_volume_gb" {
  description = "Root volume size in GB."
  type        = number
}

variable "data_volume_gb" {
  description = "Data volume in GB, mounted at /var/lib/granary/storage (0: none)."
  type        = number
}

variable "database_password" {
  description = "PostgreSQL password, written to /etc/granary/CLASS.env (mode 0600)."
  type        = string
  sensitive   = true
}

variable "release_url" {
  description = "HTTPS URL of the Granary release archive."
  type        = string
}

variable "release_sha256" {
  description = "SHA-256 of the release archive."
  type        = string
}
