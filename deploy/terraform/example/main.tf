# A whole Granary cluster on AWS: the VPC, PostgreSQL, markets gateways in the public subnet, sealing and proving
# GPU silos in private subnets. See README.md.

module "network" {
  source             = "../modules/network"
  name               = var.name
  vpc_cidr           = var.vpc_cidr
  availability_zones = var.availability_zones
}

module "database" {
  source                    = "../modules/database"
  name                      = var.name
  vpc_id                    = module.network.vpc_id
  subnet_ids                = module.network.database_subnet_ids
  client_security_group_ids = [module.network.silo_security_group_id]
  instance_class            = var.database_instance_class
}

module "gateway" {
  source                 = "../modules/gateway"
  name                   = var.name
  vpc_id                 = module.network.vpc_id
  subnet_id              = module.network.public_subnet_id
  subnet_cidr            = module.network.public_subnet_cidr
  silo_security_group_id = module.network.silo_security_group_id
  ami_id                 = var.ami_id
  key_name               = var.key_name
  gateway_count          = var.gateway_count
  instance_type          = var.gateway_instance_type
  data_volume_gb         = var.gateway_staging_gb
  cluster_id             = var.name
  chain_api_info         = var.chain_api_info
  database_host          = module.database.address
  database_port          = module.database.port
  database_name          = module.database.database_name
  database_user          = module.database.username
  database_password      = module.database.password
  release_url            = var.release_url
  release_sha256         = var.release_sha256
}

module "sealing" {
  source                 = "../modules/sealing"
  name                   = var.name
  subnet_id              = module.network.sealing_subnet_id
  subnet_cidr            = module.network.sealing_subnet_cidr
  silo_security_group_id = module.network.silo_security_group_id
  ami_id                 = var.gpu_ami_id
  key_name               = var.key_name
  sealing_count          = var.sealing_count
  instance_type          = var.sealing_instance_type
  gpu_slots              = var.sealing_gpu_slots
  data_volume_gb         = var.sealing_scratch_gb
  cluster_id             = var.name
  chain_api_info         = var.chain_api_info
  database_host          = module.database.address
  database_port          = module.database.port
  database_name          = module.database.database_name
  database_user          = module.database.username
  database_password      = module.database.password
  release_url            = var.release_url
  release_sha256         = var.release_sha256
}

module "proving" {
  source                 = "../modules/proving"
  name                   = var.name
  subnet_id              = module.network.proving_subnet_id
  subnet_cidr            = module.network.proving_subnet_cidr
  silo_security_group_id = module.network.silo_security_group_id
  ami_id                 = var.gpu_ami_id
  key_name               = var.key_name
  proving_count          = var.proving_count
  instance_type          = var.proving_instance_type
  data_volume_gb         = var.proving_storage_gb
  cluster_id             = var.name
  chain_api_info         = var.chain_api_info
  database_host          = module.database.address
  database_port          = module.database.port
  database_name          = module.database.database_name
  database_user          = module.database.username
  database_password      = module.database.password
  release_url            = var.release_url
  release_sha256         = var.release_sha256
}
