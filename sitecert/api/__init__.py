"""The REST API under /api/v1/: each app's router, and one error shape for every failure.

Every error leaves as {"message": <Chinese text>, "details": <anything or null>}.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from sitecert.api.accounts import router as accounts_router
from sitecert.api.certificates import router as certificates_router
from sitecert.api.duty import router as duty_router
from sitecert.api.learning import router as learning_router
from sitecert.api.registry import router as registry_router
from sitecert.errors import DomainError
from sitecert.throttle import RateLimited

api = NinjaAPI(
    title="sitecert API",
    version="1",
    description="施工现场专业人员证书与继续教育 / Certificates and continuing education of site professionals",
    urls_namespace="api",
)


def error(request, message: str, status: int, details=None):
    return api.create_response(request, {"message": message, "details": details}, status=status)


@api.exception_handler(ValidationError)
def _validation(request, exc: ValidationError):
    return error(request, _("请求参数有误"), 422, exc.errors)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error(request, str(exc) or _("未找到"), 404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error(request, _("请先登录，或在请求头中提供有效的 API 令牌（Authorization: Bearer sc_…）"), 401)


@api.exception_handler(AuthorizationError)
def _forbidden(request, exc):
    return error(request, _("无权访问"), 403)


@api.exception_handler(HttpError)
def _http(request, exc: HttpError):
    return error(request, exc.message, exc.status_code)


@api.exception_handler(DomainError)
def _domain(request, exc: DomainError):
    return error(request, exc.message, exc.status, {"code": exc.code, "field": exc.field})


@api.exception_handler(RateLimited)
def _rate_limited(request, exc):
    return error(request, _("查询过于频繁，请稍后再试"), 429)


@api.get("/health", auth=None, summary="服务状态（不访问数据库）/ Liveness, without the database")
def health(request):
    return {"status": "ok"}


api.add_router("/registry/", registry_router)
api.add_router("/", accounts_router)
api.add_router("/learning/", learning_router)
api.add_router("/", certificates_router)
api.add_router("/", duty_router)
