from chassis.migrations import run_env
from customer_service.models import Base
from customer_service.settings import CustomerSettings

run_env(Base.metadata, default_url=CustomerSettings().database_url)
