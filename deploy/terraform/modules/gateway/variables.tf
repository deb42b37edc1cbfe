variable "name" {
  description = "Prefix of every resource's name."
  type        = string
}

variable "vpc_id" {
  description = "The VPC (network module)."
  type        = string
}

variable "subnet_id" {
  description = "The subnet the instances go in (network module)."
  type        = string
}

variable "subnet_cidr" {
  description = "That subnet's range: instance i gets the fixed private address cidrhost(subnet_cidr, 10 + i), which its config.toml names."
  type        = string
  validation {
    condition     = can(cidrnetmask(var.subnet_cidr))
    error_message = "subnet_cidr must be an IPv4 CIDR."
  }
}

variable "silo_security_group_id" {
  description = "The silo security group (network module): cluster ports from the VPC only."
  type        = string
}

variable "ami_id" {
  description = "The machine image (Debian 12 or Ubuntu 22.04+ with cloud-init; for GPU classes one with the NVIDIA driver)."
  type        = string
  validation {
    condition     = can(regex("^ami-[0-9a-f]{8,17}$", var.ami_id))
    error_message = "ami_id must look like ami-0123456789abcdef0."
  }
}

variable "key_name" {
  description = "EC2 key pair for SSH through a bastion or SSM (null: none). SSH is never opened to the internet."
  type        = string
  default     = null
}

variable "root_volume_gb" {
  description = "Root volume size in GB (the OS, /opt/granary, the repo)."
  type        = number
  default     = 50
  validation {
    condition     = var.root_volume_gb >= 20 && var.root_volume_gb <= 16384
    error_message = "root_volume_gb must be from 20 to 16384."
  }
}

variable "cluster_id" {
  description = "[Cluster] ClusterId and ServiceId, the same on every silo."
  type        = string
  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,150}$", var.cluster_id))
    error_message = "cluster_id must be 1-150 letters, digits, '.', '_' or '-'."
  }
}

variable "silo_port" {
  description = "[Cluster] SiloPort."
  type        = number
  default     = 11111
}

variable "api_port" {
  description = "The [API] ListenAddress port."
  type        = number
  default     = 2345
}

variable "dashboard_port" {
  description = "The [Dashboard] ListenAddress port."
  type        = number
  default     = 8080
}

variable "chain_api_info" {
  description = "The chain node every silo shares, TOKEN:MULTIADDR (Lotus's FULLNODE_API_INFO), e.g. a Lotus node in the VPC."
  type        = string
  sensitive   = true
  validation {
    condition     = can(regex("^[^\\s:]+:/(ip4|ip6|dns|dns4|dns6)/[^\\s]+/tcp/[0-9]+/(http|https|ws|wss)$", var.chain_api_info))
    error_message = "chain_api_info must be TOKEN:MULTIADDR, e.g. eyJ...:/ip4/10.0.2.5/tcp/1234/http."
  }
}

variable "database_host" {
  description = "PostgreSQL host (database module's address)."
  type        = string
}

variable "database_port" {
  description = "PostgreSQL port."
  type        = number
  default     = 5432
}

variable "database_name" {
  description = "PostgreSQL database."
  type        = string
}

variable "database_user" {
  description = "PostgreSQL user."
  type        = string
}

variable "database_password" {
  description = "PostgreSQL password: written to /etc/granary/<class>.env as PGPASSWORD (mode 0600), never to config.toml."
  type        = string
  sensitive   = true
}

variable "release_url" {
  description = "HTTPS URL of the Granary release archive (a tar.gz of `dotnet publish -r linux-x64 --self-contained`)."
  type        = string
  validation {
    condition     = startswith(var.release_url, "https://")
    error_message = "release_url must be an https:// URL."
  }
}

variable "release_sha256" {
  description = "SHA-256 of the release archive; cloud-init refuses an archive that does not match."
  type        = string
  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.release_sha256))
    error_message = "release_sha256 must be 64 lowercase hex digits."
  }
}

variable "gateway_count" {
  description = "Markets gateways (each takes deals for the same miner; deal state lives in grains)."
  type        = number
  default     = 1
  validation {
    condition     = var.gateway_count >= 1 && var.gateway_count <= 16
    error_message = "gateway_count must be from 1 to 16."
  }
}

variable "instance_type" {
  description = "Gateway instance type (no GPU needed: libp2p, transfers, retrieval)."
  type        = string
  default     = "m6i.xlarge"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.instance_type))
    error_message = "instance_type must be an EC2 type such as m6i.xlarge."
  }
}

variable "data_volume_gb" {
  description = "Staging volume in GB for deal data waiting to be sealed (0: none, staging on the root volume)."
  type        = number
  default     = 500
  validation {
    condition     = var.data_volume_gb == 0 || (var.data_volume_gb >= 10 && var.data_volume_gb <= 65536)
    error_message = "data_volume_gb must be 0 or from 10 to 65536."
  }
}

variable "libp2p_port" {
  description = "Public libp2p port (deals, asks, status, retrieval query): open to the internet."
  type        = number
  default     = 24001
  validation {
    condition     = var.libp2p_port >= 1024 && var.libp2p_port <= 65535
    error_message = "libp2p_port must be from 1024 to 65535."
  }
}

variable "retrieval_port" {
  description = "Public HTTP retrieval port (/piece, /ipfs): open to the internet."
  type        = number
  default     = 24002
  validation {
    condition     = var.retrieval_port >= 1024 && var.retrieval_port <= 65535
    error_message = "retrieval_port must be from 1024 to 65535."
  }
}
