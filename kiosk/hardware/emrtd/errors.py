"""Errors of the ID-document reader: one type per problem, each with a short code."""


class EmrtdError(Exception):
    """Base of all eMRTD errors; str() is a one-line reason, `code` names the problem."""

    code = "emrtd_error"


class MrzError(EmrtdError):
    """The MRZ or the typed fields are malformed; `code` says which check failed."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code


class AccessDenied(EmrtdError):
    """The chip refused Basic Access Control: the MRZ data do not match the document."""

    code = "access_denied"


class DocumentRemoved(EmrtdError):
    """The document left the reader (or never arrived) before the read finished."""

    code = "document_removed"


class ChipNotAnswering(EmrtdError):
    """The chip did not answer in time or answered with an unexpected status word."""

    code = "chip_not_answering"


class SecureMessagingError(EmrtdError):
    """A secure-messaging response was malformed or its MAC did not verify."""

    code = "secure_messaging"


class SecurityObjectError(EmrtdError):
    """EF.SOD could not be parsed or its signature or certificate chain did not verify."""

    code = "security_object"


class ReaderUnavailable(EmrtdError):
    """The PC/SC service or the named reader is not available."""

    code = "reader_unavailable"
