variable "name" {
  description = "Prefix of every resource's name."
  type        = string
}

variable "vpc_id" {
  description = "The VPC (network module)."
  type        = string
}

variable "subnet_ids" {
  description = "Two private subnets in two zones (network module's database_subnet_ids)."
  type        = list(string)
  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids needs two subnets in different zones."
  }
}

variable "client_security_group_ids" {
  description = "Security groups allowed to connect on 5432: the silos' group, nothing else."
  type        = list(string)
  validation {
    condition     = length(var.client_security_group_ids) >= 1
    error_message = "client_security_group_ids needs the silo security group."
  }
}

variable "instance_class" {
  description = "RDS instance class, e.g. db.t4g.medium (a small cluster) or db.r6g.large."
  type        = string
  default     = "db.t4g.medium"
  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.instance_class))
    error_message = "instance_class must be an RDS class such as db.t4g.medium."
  }
}

variable "allocated_storage_gb" {
  description = "Storage of the database in GB (grain state, membership, reminders, the piece directory)."
  type        = number
  default     = 50
  validation {
    condition     = var.allocated_storage_gb >= 20 && var.allocated_storage_gb <= 65536
    error_message = "allocated_storage_gb must be from 20 to 65536."
  }
}

variable "engine_version" {
  description = "PostgreSQL major version."
  type        = string
  default     = "16"
  validation {
    condition     = contains(["14", "15", "16", "17"], var.engine_version)
    error_message = "engine_version must be one of 14, 15, 16, 17."
  }
}

variable "database_name" {
  description = "The database the silos share ([Cluster] Database's Database=)."
  type        = string
  default     = "granary"
  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database_name))
    error_message = "database_name must be a lowercase PostgreSQL identifier."
  }
}

variable "username" {
  description = "The silos' database user ([Cluster] Database's Username=)."
  type        = string
  default     = "granary"
  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.username)) && var.username != "postgres"
    error_message = "username must be a lowercase identifier other than postgres."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the database (turn off only to tear a test cluster down)."
  type        = bool
  default     = true
}
