from chassis.migrations import run_env
from order_service.models import Base
from order_service.settings import OrderSettings

run_env(Base.metadata, default_url=OrderSettings().database_url)
