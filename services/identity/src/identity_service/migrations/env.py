from chassis.migrations import run_env
from identity_service.models import Base
from identity_service.settings import IdentitySettings

run_env(Base.metadata, default_url=IdentitySettings().database_url)
