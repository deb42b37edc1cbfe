variable "region" {
  description = "AWS region."
  type        = string
  default     = "us-east-2"
  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region such as us-east-2."
  }
}

variable "availability_zones" {
  description = "Two zones of the region (the first holds the silos; the database subnet group spans both)."
  type        = list(string)
  default     = ["us-east-2a", "us-east-2b"]
  validation {
    condition     = length(var.availability_zones) >= 2
    error_message = "availability_zones needs two zones."
  }
}

variable "name" {
  description = "Name prefix of every resource."
  type        = string
  default     = "granary"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.name))
    error_message = "name must be 1-31 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "vpc_cidr" {
  description = "The VPC's range: silo, API and dashboard ports are open to it and nothing else."
  type        = string
  default     = "10.0.0.0/16"
  validation {
    condition     = can(cidrnetmask(var.vpc_cidr))
    error_message = "vpc_cidr must be an IPv4 CIDR."
  }
}

variable "ami_id" {
  description = "Image for the gateways (Debian 12 / Ubuntu with cloud-init)."
  type        = string
  validation {
    condition     = can(regex("^ami-[0-9a-f]{8,17}$", var.ami_id))
    error_message = "ami_id must look like ami-0123456789abcdef0."
  }
}

variable "gpu_ami_id" {
  description = "Image for the sealing and proving silos, with the NVIDIA driver (e.g. a Deep Learning Base AMI)."
  type        = string
  validation {
    condition     = can(regex("^ami-[0-9a-f]{8,17}$", var.gpu_ami_id))
    error_message = "gpu_ami_id must look like ami-0123456789abcdef0."
  }
}

variable "key_name" {
  description = "EC2 key pair (null: none). SSH is not opened by these security groups; use SSM or a bastion."
  type        = string
  default     = null
}

variable "release_url" {
  description = "HTTPS URL of the Granary release archive (docs/deploy.md, \"Build a release archive\")."
  type        = string
  validation {
    condition     = startswith(var.release_url, "https://")
    error_message = "release_url must be an https:// URL."
  }
}

variable "release_sha256" {
  description = "SHA-256 of the release archive."
  type        = string
  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.release_sha256))
    error_message = "release_sha256 must be 64 lowercase hex digits."
  }
}

variable "chain_api_info" {
  description = "The chain node every silo shares, TOKEN:MULTIADDR (Lotus's FULLNODE_API_INFO)."
  type        = string
  sensitive   = true
  validation {
    condition     = can(regex("^[^\\s:]+:/(ip4|ip6|dns|dns4|dns6)/[^\\s]+/tcp/[0-9]+/(http|https|ws|wss)$", var.chain_api_info))
    error_message = "chain_api_info must be TOKEN:MULTIADDR, e.g. eyJ...:/ip4/10.0.2.5/tcp/1234/http."
  }
}

variable "gateway_count" {
  description = "Markets gateways."
  type        = number
  default     = 1
  validation {
    condition     = var.gateway_count >= 1 && var.gateway_count <= 16
    error_message = "gateway_count must be from 1 to 16."
  }
}

variable "gateway_instance_type" {
  description = "Gateway instance type."
  type        = string
  default     = "m6i.xlarge"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.gateway_instance_type))
    error_message = "gateway_instance_type must be an EC2 type such as m6i.xlarge."
  }
}

variable "gateway_staging_gb" {
  description = "Each gateway's staging volume in GB."
  type        = number
  default     = 500
  validation {
    condition     = var.gateway_staging_gb >= 10 && var.gateway_staging_gb <= 65536
    error_message = "gateway_staging_gb must be from 10 to 65536."
  }
}

variable "sealing_count" {
  description = "Sealing silos."
  type        = number
  default     = 2
  validation {
    condition     = var.sealing_count >= 1 && var.sealing_count <= 64
    error_message = "sealing_count must be from 1 to 64."
  }
}

variable "sealing_instance_type" {
  description = "Sealing GPU instance type."
  type        = string
  default     = "g5.4xlarge"
  validation {
    condition     = can(regex("^(g4dn|g5|g6|g6e|p3|p4d|p4de|p5)\\.[a-z0-9]+$", var.sealing_instance_type))
    error_message = "sealing_instance_type must be a GPU type (g4dn, g5, g6, g6e, p3, p4d, p4de, p5)."
  }
}

variable "sealing_gpu_slots" {
  description = "GPUs per sealing instance ([Sealing] GpuSlots)."
  type        = number
  default     = 1
  validation {
    condition     = var.sealing_gpu_slots >= 0 && var.sealing_gpu_slots <= 16
    error_message = "sealing_gpu_slots must be from 0 to 16."
  }
}

variable "sealing_scratch_gb" {
  description = "Each sealing silo's scratch volume in GB."
  type        = number
  default     = 2000
  validation {
    condition     = var.sealing_scratch_gb >= 100 && var.sealing_scratch_gb <= 65536
    error_message = "sealing_scratch_gb must be from 100 to 65536."
  }
}

variable "proving_count" {
  description = "Proving silos."
  type        = number
  default     = 1
  validation {
    condition     = var.proving_count >= 1 && var.proving_count <= 64
    error_message = "proving_count must be from 1 to 64."
  }
}

variable "proving_instance_type" {
  description = "Proving GPU instance type."
  type        = string
  default     = "g5.xlarge"
  validation {
    condition     = can(regex("^(g4dn|g5|g6|g6e|p3|p4d|p4de|p5)\\.[a-z0-9]+$", var.proving_instance_type))
    error_message = "proving_instance_type must be a GPU type (g4dn, g5, g6, g6e, p3, p4d, p4de, p5)."
  }
}

variable "proving_storage_gb" {
  description = "Each proving silo's sector storage volume in GB."
  type        = number
  default     = 10000
  validation {
    condition     = var.proving_storage_gb >= 100 && var.proving_storage_gb <= 65536
    error_message = "proving_storage_gb must be from 100 to 65536."
  }
}

variable "database_instance_class" {
  description = "RDS PostgreSQL instance class."
  type        = string
  default     = "db.t4g.medium"
  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.database_instance_class))
    error_message = "database_instance_class must be an RDS class such as db.t4g.medium."
  }
}
