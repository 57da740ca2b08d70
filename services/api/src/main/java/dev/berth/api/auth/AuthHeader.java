package dev.berth.api.auth;

import dev.berth.api.problem.ProblemException;
import dev.berth.api.problem.ProblemKind;
import java.util.HashMap;
import java.util.Map;

/**
 * The parsed {@code Authorization: BackendAI signMethod=HMAC-SHA256, credential=<ak>:<sig>} header
 * (AUTH-04); anything malformed is invalid-auth-params (400).
 */
public record AuthHeader(String signMethod, String accessKey, String signature) {

    private static final String SCHEME = "BackendAI";
    private static final String LEGACY_SCHEME = "Sorna";

    public static AuthHeader parse(String header) {
        String text = header.trim();
        int space = text.indexOf(' ');
        String scheme = space < 0 ? text : text.substring(0, space);
        if (!scheme.equals(SCHEME) && !scheme.equals(LEGACY_SCHEME)) {
            throw invalid("Authorization must use the BackendAI scheme, got \"" + scheme + "\"");
        }
        Map<String, String> params = new HashMap<>();
        for (String part : (space < 0 ? "" : text.substring(space + 1)).split(",")) {
            int equals = part.indexOf('=');
            if (equals > 0) params.put(part.substring(0, equals).trim(), part.substring(equals + 1).trim());
        }
        String signMethod = params.get("signMethod");
        String credential = params.get("credential");
        if (signMethod == null || credential == null) {
            throw invalid("Authorization needs signMethod=HMAC-SHA256 and credential=<access key>:<signature>");
        }
        int colon = credential.indexOf(':');
        if (colon <= 0 || colon == credential.length() - 1) {
            throw invalid("Authorization credential must be <access key>:<signature>");
        }
        return new AuthHeader(signMethod, credential.substring(0, colon), credential.substring(colon + 1));
    }

    private static ProblemException invalid(String detail) {
        return new ProblemException(ProblemKind.INVALID_AUTH_PARAMS, detail);
    }
}
