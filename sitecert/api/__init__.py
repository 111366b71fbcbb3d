"""The REST API under /api/v1/: each app's router, and one error shape for every failure.

Every error leaves as {"message": <Chinese text>, "details": <anything or null>}.
"""

import re

from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from sitecert.api.accounts import router as accounts_router
from sitecert.api.certificates import router as certificates_router
from sitecert.api.duty import router as duty_router
from sitecert.api.learning import router as learning_router
from sitecert.api.registry import router as registry_router
from sitecert.errors import DomainError
from sitecert.throttle import RateLimited


class SitecertAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document lists the errors every operation can answer besides its own: 422
    for a request that does not fit the schema, 400 for a body that cannot be read, 401 and 403 (no or a bad token, a session without its
    CSRF token) where it needs a login. Each operation lists its own 400, 404, 409 and 429."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        error = {
            "description": "错误 / Error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                # ninja keys responses by int; one key per code, or the JSON would repeat it
                responses = {str(code): answer for code, answer in operation.get("responses", {}).items()}
                common = ["422", *(["400"] if "requestBody" in operation else [])]
                common += ["401", "403"] if operation.get("security") else []
                for status in common:
                    responses.setdefault(status, error)
                operation["responses"] = responses
        schema.setdefault("components", {}).setdefault("schemas", {}).setdefault("ErrorOut", ERROR_OUT)
        return schema


ERROR_OUT = {
    "title": "ErrorOut",
    "type": "object",
    "properties": {"message": {"title": "Message", "type": "string"}, "details": {"title": "Details"}},
    "required": ["message"],
}

api = SitecertAPI(
    title="sitecert API",
    version="1",
    description="施工现场专业人员证书与继续教育 / Certificates and continuing education of site professionals",
    urls_namespace="api",
    # Without deep links each operation's summary is one button, not a button holding a link (axe's
    # nested-interactive); the page's template and colours: templates/ninja/swagger.html.
    docs=Swagger(settings={"deepLinking": False}),
)


def error(request, message: str, status: int, details=None):
    return api.create_response(request, {"message": message, "details": details}, status=status)


@api.exception_handler(ValidationError)
def _validation(request, exc: ValidationError):
    return error(request, _("请求参数有误"), 422, exc.errors)


# Django's own text for get_object_or_404 names the model ("No RosterEntry matches the given query."):
# never sent; a message the code wrote for the client is.
_MODEL_404 = re.compile(r"No .* matches the given query\.?")


@api.exception_handler(Http404)
def _not_found(request, exc):
    text = str(exc)
    return error(request, _("未找到") if not text or _MODEL_404.fullmatch(text) else text, 404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error(request, _("请先登录，或在请求头中提供有效的 API 令牌（Authorization: Bearer sc_…）"), 401)


@api.exception_handler(AuthorizationError)
def _forbidden(request, exc):
    return error(request, _("无权访问"), 403)


@api.exception_handler(HttpError)
def _http(request, exc: HttpError):
    if exc.status_code == 400 and exc.message == "Cannot parse request body":  # ninja's own words
        return error(request, _("请求内容无法解析"), 400)
    return error(request, exc.message, exc.status_code)


@api.exception_handler(MultiPartParserError)
def _unreadable(request, exc):
    return error(request, _("请求内容无法解析"), 400)


@api.exception_handler(DomainError)
def _domain(request, exc: DomainError):
    return error(request, exc.message, exc.status, {"code": exc.code, "field": exc.field})


@api.exception_handler(RateLimited)
def _rate_limited(request, exc: RateLimited):
    response = error(request, exc.message or _("查询过于频繁，请稍后再试"), 429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.get("/health", auth=None, summary="服务状态（不访问数据库）/ Liveness, without the database")
def health(request):
    return {"status": "ok"}


api.add_router("/registry/", registry_router)
api.add_router("/", accounts_router)
api.add_router("/learning/", learning_router)
api.add_router("/", certificates_router)
api.add_router("/", duty_router)
