package io.sluice.listener.log;

/**
 * What a log record says of the connection a request came on: the client's and the listener's address and port. One
 * per connection, shared by every record of its requests ({@link RequestLogFacts#connectionFacts()}) whatever their
 * protocol; read on the event loop when a record is written. Nothing returned may be allocated for the call.
 */
public interface ConnectionLogFacts
{
    /**
     * @return the client's IP address as text.
     */
    String clientAddress();

    /**
     * @return the client's port.
     */
    int clientPort();

    /**
     * @return the listener's IP address of the connection as text.
     */
    String serverAddress();

    /**
     * @return the listener's port of the connection.
     */
    int serverPort();
}
