package io.switchboard.edge.metaverse;

/** A request refused: which {@link Failure} it is and the {@code error} text of the Iamus failure envelope. */
record Refusal(Failure failure, String error)
{
    static final Refusal UNKNOWN_DOMAIN = new Refusal(Failure.UNKNOWN_DOMAIN, "DomainId does not match a domain");
    static final Refusal NOT_AUTHORIZED = new Refusal(Failure.UNAUTHORIZED, "Domain not authorized");
    static final Refusal JSON_PARSE_ERROR = new Refusal(Failure.MALFORMED_JSON, "JSON parse error");
}
