@family:request @side:redeemer
Feature: The redemption request
  A redeemer POSTs the token's code, exactly, to the token's URL over HTTPS, names itself in two headers,
  follows no redirect, and gives up on a grant service that does not answer.

  @AT-REQ-001 @MUST
  Rule: AT-REQ-001 Only https URLs are redeemed: an http URL fails and nothing is sent
    Source: spec §3.1 order 3 ("token url scheme must be https")

    Scenario: A token whose url is plain http fails and nothing is sent
      Given a grant
      And an AccessToken "plain" for the grant
      And the token's url uses plain http
      When the token is applied
      Then the token fails
      And no request reached the grant service
      And the site has no Secret and no Link

  @AT-REQ-002 @MUST
  Rule: AT-REQ-002 A token whose url does not parse fails and nothing is sent
    Source: spec §3.1 order 2 ("could not parse token url")

    Scenario: A token whose url has an invalid port fails
      Given a grant
      And an AccessToken "bad-url" for the grant
      And the token's url is "https://127.0.0.1:notaport/x"
      When the token is applied
      Then the token fails
      And no request reached the grant service

    # an empty string in a field the CRD types as string (see docs/kubernetes.md on API servers that refuse it)
    @empty-string
    Scenario: A token whose url is empty fails
      Given a grant
      And an AccessToken "empty-url" for the grant
      And the token's url is ""
      When the token is applied
      Then the token fails
      And no request reached the grant service

  @AT-REQ-003 @MUST
  Rule: AT-REQ-003 The request is a POST to the token's URL whose body is exactly the code
    Source: docs/accesstoken-resource.md (spec.code: "submitted for redemption"); spec §2.3 (no encoding, no trimming)

    Scenario: The request carries the code as its whole body
      Given a grant
      And an AccessToken "exact" for the grant
      When the token is applied
      Then the token is redeemed
      And the grant service received 1 request
      And the request was a POST to the grant's path
      And the request body was exactly the grant's code

    Scenario: A code with surrounding spaces and URL-special characters is sent untouched
      Given a grant whose code has surrounding spaces and URL-special characters
      And an AccessToken "odd-code" for the grant
      When the token is applied
      Then the token is redeemed
      And the request body was exactly the grant's code

    Scenario: A wrong code is refused with 403
      Given a grant
      And an AccessToken "wrong-code" for the grant
      And the token's code is not the grant's code
      When the token is applied
      Then the token fails with a message containing "403"
      And the grant's redemption count is 0

  @AT-REQ-004 @MUST
  Rule: AT-REQ-004 The request names the token in the header "name"
    Source: spec §2.3 (name → name of the returned Secret and Links); §7.2 (both redeemers); interop: the grant service names what it returns after this header, so without it the Links are named after the grant, and two tokens for one grant collide in a site

    Scenario: The name header is the token's name
      Given a grant
      And an AccessToken "named-token" for the grant
      When the token is applied
      Then the token is redeemed
      And the request header "name" was the token's name

  @AT-REQ-005 @SHOULD
  Rule: AT-REQ-005 The request names the redeeming site in the header "subject"
    Source: spec §2.3 (kube redeemer: the Site's UID; system mode: site name or namespace)

    Scenario: The subject header is the site's id
      Given a grant
      And an AccessToken "subject-token" for the grant
      When the token is applied
      Then the token is redeemed
      And the request header "subject" was the site's uid

  @AT-REQ-006 @MUST
  Rule: AT-REQ-006 Redirects are not followed
    Source: spec §3.1 (CheckRedirect returns ErrUseLastResponse; a 3xx is a failed response)

    # @other-grant-service: the scenario starts another grant service (mockttp), which a parallel run's
    # coordinator hosts for all its workers when such a scenario is planned
    @other-grant-service
    Scenario Outline: A <status> redirect to another grant service is not followed
      Given a grant
      And an AccessToken "redirected" for the grant
      And the grant service redirects to another grant service with status <status>
      When the token is applied
      Then the token fails with a message containing "<status>"
      And the other grant service received no request
      And the site has no Secret and no Link

      Examples:
        | status |
        | 301    |
        | 302    |
        | 307    |
        | 308    |

  @AT-REQ-007 @MUST
  Rule: AT-REQ-007 A grant service that never answers ends in Error in bounded time
    Source: spec §3.1 (10 s client timeout)

    @slow @client-timeout
    Scenario: A grant service that accepts the request and never answers
      Given a grant
      And an AccessToken "patient" for the grant
      And the grant service never answers
      When the token is applied
      Then the token fails within 20 seconds
      And the site has no Secret and no Link

  @AT-REQ-008 @SHOULD
  Rule: AT-REQ-008 A connection the grant service resets ends in Error
    Source: spec §3.1 order 5 (transport error)

    Scenario: The grant service resets the connection
      Given a grant
      And an AccessToken "reset" for the grant
      And the grant service resets the connection
      When the token is applied
      Then the token fails
      And the site has no Secret and no Link

  @AT-REQ-009 @MUST
  Rule: AT-REQ-009 A grant service that answers slowly, within the 10 s timeout, is waited for
    Source: spec §3.1 (10 s client timeout); spec §2.4 (the redemption is counted before the answer is written): a redeemer that gives up sooner burns a single-use token and gets no Link

    # The grant service counts the redemption, then holds its answer for 2.5 s (Skupper's grant server
    # persists the count, then generates a key pair and a certificate): a redeemer with a client timeout
    # of a second or two gives up on an answer that was coming, and the token is used up for nothing.
    @slow
    Scenario: The grant service counts the redemption and answers 2.5 s later
      Given a grant
      And an AccessToken "slow" for the grant
      And the grant service counts the redemption, then answers after 2500 ms
      When the token is applied
      Then the token is redeemed
      And the grant's redemption count is 1
