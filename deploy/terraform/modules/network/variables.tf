variable "name" {
  description = "Prefix of every resource's Name tag, e.g. \"granary\"."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.name))
    error_message = "name must be 1-31 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "vpc_cidr" {
  description = "The VPC's address range. Silo, API and dashboard ports are open to this range only."
  type        = string
  default     = "10.0.0.0/16"
  validation {
    condition     = can(regex("^[0-9.]+/(1[6-9]|2[0-4])$", var.vpc_cidr)) && can(cidrnetmask(var.vpc_cidr))
    error_message = "vpc_cidr must be an IPv4 CIDR from /16 to /24, e.g. 10.0.0.0/16."
  }
}

variable "availability_zones" {
  description = "Two or more availability zones; the first holds the gateway, sealing and proving subnets, the database subnet group spans two."
  type        = list(string)
  validation {
    condition     = length(var.availability_zones) >= 2
    error_message = "availability_zones needs at least two zones (RDS requires a subnet group in two)."
  }
}

variable "public_subnet_cidr" {
  description = "The public subnet (gateways and the NAT gateway)."
  type        = string
  default     = "10.0.1.0/24"
  validation {
    condition     = can(cidrnetmask(var.public_subnet_cidr))
    error_message = "public_subnet_cidr must be an IPv4 CIDR."
  }
}

variable "sealing_subnet_cidr" {
  description = "The private subnet of the sealing silos."
  type        = string
  default     = "10.0.2.0/24"
  validation {
    condition     = can(cidrnetmask(var.sealing_subnet_cidr))
    error_message = "sealing_subnet_cidr must be an IPv4 CIDR."
  }
}

variable "proving_subnet_cidr" {
  description = "The private subnet of the proving silos."
  type        = string
  default     = "10.0.3.0/24"
  validation {
    condition     = can(cidrnetmask(var.proving_subnet_cidr))
    error_message = "proving_subnet_cidr must be an IPv4 CIDR."
  }
}

variable "database_subnet_cidrs" {
  description = "Two private subnets (in the first two zones) for the PostgreSQL subnet group."
  type        = list(string)
  default     = ["10.0.4.0/24", "10.0.5.0/24"]
  validation {
    condition     = length(var.database_subnet_cidrs) == 2 && alltrue([for c in var.database_subnet_cidrs : can(cidrnetmask(c))])
    error_message = "database_subnet_cidrs must be two IPv4 CIDRs."
  }
}

variable "silo_port" {
  description = "Orleans silo-to-silo port ([Cluster] SiloPort)."
  type        = number
  default     = 11111
  validation {
    condition     = var.silo_port >= 1024 && var.silo_port <= 65535
    error_message = "silo_port must be from 1024 to 65535."
  }
}

variable "api_port" {
  description = "JSON-RPC API port ([API] ListenAddress); also where silos fetch each other's sector files (/remote)."
  type        = number
  default     = 2345
  validation {
    condition     = var.api_port >= 1024 && var.api_port <= 65535
    error_message = "api_port must be from 1024 to 65535."
  }
}

variable "dashboard_port" {
  description = "Admin HTTP port ([Dashboard] ListenAddress: /healthz and the Orleans dashboard)."
  type        = number
  default     = 8080
  validation {
    condition     = var.dashboard_port >= 1024 && var.dashboard_port <= 65535
    error_message = "dashboard_port must be from 1024 to 65535."
  }
}
