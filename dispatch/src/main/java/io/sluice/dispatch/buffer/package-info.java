/**
 * Buffer helpers shared by the listener and the worker SDK: {@link io.sluice.dispatch.buffer.ByteBufViews} lets
 * Agrona code read a Netty {@code ByteBuf} in place.
 */
package io.sluice.dispatch.buffer;
