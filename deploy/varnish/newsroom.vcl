# Varnish 7 in front of Newsroom's app servers (see docs/edge.md).
#
# The app decides what may be kept: public pages and feeds say so in
# Cache-Control and name their surrogate keys in `xkey`; it purges by key
# (PURGE with `xkey-purge`) when anything public changes. This file keeps
# anonymous GETs, passes everything personal, and never overrides the app's
# "do not keep".
vcl 4.1;

import std;
import xkey;

# /healthz answers 503 when the app server cannot reach its database. Its Host
# is the backend's address (127.0.0.1 here), which must be in ALLOWED_HOSTS.
probe healthz {
    .url = "/healthz";
    .interval = 2s;
    .timeout = 1s;
    .window = 3;
    .threshold = 2;
    .initial = 2;
}

# One app server on this machine. With several, declare one backend each and
# put them in a director (docs/edge.md); every backend uses the probe above.
backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .probe = healthz;
    .connect_timeout = 1s;
    # gunicorn ends a request after 30 s (GUNICORN_TIMEOUT).
    .first_byte_timeout = 35s;
}

# Who may purge: this machine. Add each app server's address here, one per
# line ("10.0.0.5"; or a network: "10.0.0.0"/24;).
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        call newsroom_purge;
    }

    # Headers only a proxy of ours may set: a client's own would let it write
    # another host into links and redirects that are then kept for everyone.
    unset req.http.X-Forwarded-Host;
    unset req.http.X-Forwarded-Port;
    unset req.http.Forwarded;
    if (req.restarts == 0) {
        unset req.http.X-Varnish-Refresh;
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The desk, the editor, previews and health are never kept.
    if (req.url ~ "^/(admin|editor|markdownx|preview)(/|\?|$)" || req.url ~ "^/healthz(\?|$)") {
        return (pass);
    }
    # A session (staff) or a CSRF cookie (a form was shown): the page may be personal.
    if (req.http.Cookie ~ "(^|;)\s*(sessionid|csrftoken)=") {
        return (pass);
    }
    # Any other cookie is analytics the app never reads.
    unset req.http.Cookie;

    # Tracking parameters change nothing the app shows (it reads only page, p
    # and q): drop them so that every campaign link shares one copy, and sort
    # the rest so that ?a&b and ?b&a do too. (Most addresses have no query.)
    if (req.url ~ "\?") {
        set req.url = regsuball(req.url, "(?i)(?<=[?&])(utm_[a-z0-9_]*|fbclid|gclid|gclsrc|dclid|gbraid|wbraid|msclkid|yclid|twclid|ttclid|li_fat_id|igshid|mc_cid|mc_eid|_ga|_gl|_hsenc|_hsmi|mkt_tok|srsltid)(=[^&]*)?(&|$)", "");
        set req.url = std.querysort(regsub(req.url, "[?&]+$", ""));
    }

    # Varnish keeps one gzipped copy and unzips it for clients that cannot take gzip.
    if (req.http.Accept-Encoding ~ "(?i)\bgzip\b") {
        set req.http.Accept-Encoding = "gzip";
    } else {
        unset req.http.Accept-Encoding;
    }

    # vcl_hit sends a copy too stale to serve back here (restart 1): fetch a
    # new one, telling vcl_backend_response that a stale copy is there (the
    # header reaches the app, which ignores it). If that fails, vcl_deliver
    # sends it back again (restart 2): serve the stale copy after all, for
    # as long as its own grace (stale-if-error).
    if (req.restarts == 1) {
        set req.grace = 0s;
        set req.http.X-Varnish-Refresh = "1";
    } elsif (req.restarts == 2) {
        set req.grace = 1y;
        unset req.http.X-Varnish-Refresh;
    }
    # The built-in rules follow (Authorization passes, a missing Host is refused).
}

sub newsroom_purge {
    if (client.ip !~ purgers) {
        return (synth(403, "Forbidden"));
    }
    if (!req.http.xkey-purge) {
        return (synth(400, "No xkey-purge header"));
    }
    # A hard purge: the next request fetches a fresh copy, even while the backend is sick.
    set req.http.X-Purged = xkey.purge(req.http.xkey-purge);
    return (synth(200, "Purged"));
}

sub vcl_hash {
    # http and https pages differ (links, redirects): keep them apart.
    hash_data(req.http.X-Forwarded-Proto);
}

sub vcl_hit {
    # A stale copy may be served while a new one is fetched for as long as the
    # page's own stale-while-revalidate says (none near a scheduled
    # publication); past that, only while the backend is sick.
    if (req.restarts == 0 && obj.ttl <= 0s && std.healthy(req.backend_hint) &&
        obj.ttl + std.duration(regsub(obj.http.Cache-Control, "^.*stale-while-revalidate=([0-9]+).*$", "\1s"), 0s) <= 0s) {
        return (restart);
    }
}

sub vcl_backend_response {
    if (beresp.status >= 500) {
        # A failed background refresh keeps the stale copy.
        if (bereq.is_bgfetch) {
            return (abandon);
        }
        # So does a failed refresh in the foreground (from vcl_hit): as an
        # error of Varnish's own, it does not replace the copy, which
        # vcl_deliver then serves.
        if (bereq.http.X-Varnish-Refresh) {
            return (error(503));
        }
    }
    # The built-in rules first: a pass, or a response that sets a cookie or
    # says private, no-store or no-cache, is not kept (they return here).
    call vcl_builtin_backend_response;
    # A kept copy stays as long as the app's stale-if-error allows (a day),
    # for when the backend is sick (vcl_hit limits it otherwise), then a
    # further day to be revalidated with a conditional request (a 304).
    set beresp.grace = std.duration(regsub(beresp.http.Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1s"), beresp.grace);
    set beresp.keep = 1d;
    # The app sends text uncompressed: compress the kept copy once. Varnish
    # unzips it for the rare client that does not take gzip.
    if (!beresp.http.Content-Encoding &&
        beresp.http.Content-Type ~ "^(text/|application/([a-z+]*xml|json|javascript)|image/svg\+xml)") {
        set beresp.do_gzip = true;
    }
    return (deliver);
}

sub vcl_backend_error {
    if (bereq.is_bgfetch) {
        return (abandon);
    }
}

sub vcl_deliver {
    # The fresh copy vcl_hit asked for failed: serve the stale one after all,
    # within the page's stale-if-error.
    if (req.restarts == 1 && resp.status >= 500) {
        return (restart);
    }
    if (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
    # Surrogate keys are for purging here. A CDN in front of Varnish that
    # purges by key too may keep Surrogate-Key: delete its line then.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
}

sub vcl_synth {
    if (req.method == "PURGE") {
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        if (resp.status == 200) {
            set resp.http.X-Purged = req.http.X-Purged;
            set resp.body = req.http.X-Purged + {"
"};
        } else {
            set resp.body = resp.reason + {"
"};
        }
        return (deliver);
    }
}
