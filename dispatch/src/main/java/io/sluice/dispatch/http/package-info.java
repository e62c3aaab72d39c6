/**
 * HTTP rules the listener and the worker SDK must apply alike: {@link io.sluice.dispatch.http.PathNormalizer} turns a
 * request-target into the path the listener routes by, which every hosting model hands its handler as
 * {@link io.sluice.dispatch.worker.Exchange#path()}.
 */
package io.sluice.dispatch.http;
