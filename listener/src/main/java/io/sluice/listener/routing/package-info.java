/**
 * URL-prefix routing with HTTP.sys semantics: parse prefixes at startup, normalize each request path, pick the
 * request queue.
 * <pre>
 *   startup:  "http://+:8080/app/" --UrlPrefix.parse--&gt; UrlPrefix
 *             --PrefixRouter.builder().add(..).build()--&gt; PrefixRouter
 *
 *   request:  request-target --(absolute-form? RequestTargets)--&gt; origin-form, authority for Host
 *                            --PathNormalizer.normalize (io.sluice.dispatch.http)--&gt; path, or null =&gt; 400
 *             (Host, local port, path) --PrefixRouter.route--&gt; queue, or null =&gt; 404
 *
 *   legend:   --x--&gt; step performed by x;  =&gt; the listener's answer
 * </pre>
 * {@link io.sluice.listener.routing.PrefixRouter#route(CharSequence, int, CharSequence)} runs on the event loop and
 * allocates nothing; {@link io.sluice.dispatch.http.PathNormalizer#normalize(CharSequence)} allocates only the
 * returned path, and on its fast path returns the target itself when it has no query.
 */
package io.sluice.listener.routing;
