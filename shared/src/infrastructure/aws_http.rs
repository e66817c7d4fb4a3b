//! The AWS SDK's HTTP over the cold start's one reqwest client (see
//! [`crate::infrastructure::http_client`]): one pool, one set of roots, no second hyper
//! stack in the binary.
//!
//! DynamoDB, SQS and KMS send and receive whole bodies, so a request body is sent as bytes and
//! a response read whole; a streaming request body (none of those APIs has one) is refused as
//! a user error rather than sent wrong. Errors are classified as the SDK's retry strategy
//! expects: timeouts as timeouts, connection and transfer failures as I/O (transient), the
//! rest as other.

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;

/// The SDK's HTTP client over `http`.
pub fn sdk_http_client(http: &reqwest::Client) -> SharedHttpClient {
    SharedHttpClient::new(ReqwestSdkClient { http: http.clone() })
}

#[derive(Debug, Clone)]
struct ReqwestSdkClient {
    http: reqwest::Client,
}

impl HttpClient for ReqwestSdkClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(ReqwestConnector {
            http: self.http.clone(),
            read_timeout: settings.read_timeout(),
        })
    }
}

#[derive(Debug, Clone)]
struct ReqwestConnector {
    http: reqwest::Client,
    /// The SDK's read timeout, applied to the whole exchange (the SDK's attempt timeout bounds
    /// it anyway; the connect timeout is the client's).
    read_timeout: Option<std::time::Duration>,
}

impl HttpConnector for ReqwestConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let http = self.http.clone();
        let read_timeout = self.read_timeout;
        HttpConnectorFuture::new(async move {
            let request = to_reqwest(&http, request, read_timeout)?;
            let response = http.execute(request).await.map_err(classify)?;
            from_reqwest(response).await
        })
    }
}

fn to_reqwest(
    http: &reqwest::Client,
    request: HttpRequest,
    read_timeout: Option<std::time::Duration>,
) -> Result<reqwest::Request, ConnectorError> {
    let method = reqwest::Method::from_bytes(request.method().as_bytes())
        .map_err(|e| ConnectorError::user(e.into()))?;
    let Some(body) = request.body().bytes() else {
        return Err(ConnectorError::user(
            "a streaming request body cannot be sent by this client".into(),
        ));
    };
    let mut builder = http.request(method, request.uri()).body(body.to_vec());
    for (name, value) in request.headers().iter() {
        builder = builder.header(name, value);
    }
    if let Some(timeout) = read_timeout {
        builder = builder.timeout(timeout);
    }
    builder.build().map_err(|e| ConnectorError::user(e.into()))
}

async fn from_reqwest(response: reqwest::Response) -> Result<HttpResponse, ConnectorError> {
    let status = StatusCode::try_from(response.status().as_u16())
        .map_err(|e| ConnectorError::other(e.into(), None))?;
    let headers: Vec<(String, Vec<u8>)> = response
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
        .collect();
    let body = response.bytes().await.map_err(classify)?;
    let mut answer = HttpResponse::new(status, SdkBody::from(body));
    for (name, value) in headers {
        // Header values AWS sends are ASCII; one that is not is dropped, never guessed at.
        if let Ok(value) = String::from_utf8(value) {
            answer.headers_mut().append(name, value);
        }
    }
    Ok(answer)
}

/// The SDK retries timeouts and I/O failures; everything else is final.
fn classify(err: reqwest::Error) -> ConnectorError {
    if err.is_timeout() {
        ConnectorError::timeout(err.into())
    } else if err.is_connect() {
        ConnectorError::io(err.into()).never_connected()
    } else if err.is_request() || err.is_body() || err.is_decode() {
        ConnectorError::io(err.into())
    } else {
        ConnectorError::other(err.into(), None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connector() -> ReqwestConnector {
        ReqwestConnector {
            http: crate::infrastructure::http_client::build(),
            read_timeout: Some(std::time::Duration::from_millis(300)),
        }
    }

    #[tokio::test]
    async fn a_refused_connection_is_io_that_never_connected_so_the_sdk_retries_it() {
        let err = connector()
            .call(HttpRequest::get("http://127.0.0.1:9/").unwrap())
            .await
            .unwrap_err();
        assert!(err.is_io(), "{err:?}");
    }

    #[tokio::test]
    async fn a_silent_server_is_a_timeout() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Accepts and never answers.
        let _held = tokio::spawn(async move {
            let (_socket, _) = listener.accept().await.unwrap();
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        });
        let err = connector()
            .call(HttpRequest::get(format!("http://{addr}/")).unwrap())
            .await
            .unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
    }

    #[tokio::test]
    async fn headers_status_and_body_cross_both_ways() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut seen = Vec::new();
            let mut buf = [0u8; 4096];
            while !String::from_utf8_lossy(&seen).contains("{\"a\":1}") {
                let n = socket.read(&mut buf).await.unwrap();
                seen.extend_from_slice(&buf[..n]);
            }
            socket
                .write_all(b"HTTP/1.1 400 Bad Request\r\nx-amzn-requestid: r-1\r\ncontent-length: 7\r\n\r\n{\"e\":2}")
                .await
                .unwrap();
            String::from_utf8(seen).unwrap()
        });
        let mut request = HttpRequest::new(SdkBody::from(r#"{"a":1}"#));
        request.set_method("POST").unwrap();
        request.set_uri(format!("http://{addr}/x")).unwrap();
        request
            .headers_mut()
            .insert("x-amz-target", "DynamoDB_20120810.GetItem");
        let answer = connector().call(request).await.unwrap();
        assert_eq!(answer.status().as_u16(), 400);
        assert_eq!(answer.headers().get("x-amzn-requestid"), Some("r-1"));
        assert_eq!(answer.body().bytes(), Some(&br#"{"e":2}"#[..]));
        let sent = server.await.unwrap().to_lowercase();
        assert!(sent.starts_with("post /x http/1.1"), "{sent}");
        assert!(
            sent.contains("x-amz-target: dynamodb_20120810.getitem"),
            "{sent}"
        );
    }
}
