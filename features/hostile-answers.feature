@family:hostile-answers @side:redeemer
Feature: Hostile and broken answers
  The grant service is a remote party: the token names it, the redeeming site does not run it. What it
  answers decides the names of a Secret and its Links, and nothing else: not where they are created, not
  which kinds of resource a redemption makes, not who owns them. An answer that breaks off, stalls or runs
  to tens of MiB ends the redemption in bounded time, creates nothing it did not finish reading, and
  leaves the redeemer running.

  @AT-HOSTILE-001 @MUST
  Rule: AT-HOSTILE-001 Nothing is created outside the site's namespace, whatever namespace the answer's documents name
    Source: spec §3.1 (the Secret and Links are created in the token's namespace); security: a grant service that chose the namespace would plant a Link and its credentials in another tenant's site, or in kube-system, where nobody asked for them

    # Failing the token is fine (Skupper's controller gets the API server's namespace mismatch); creating
    # the Secret and Links in the site's own namespace is fine; creating them where the answer says is not.
    Scenario: The answer's documents name a neighbouring site's namespace
      Given a grant
      And a neighbouring site
      And an AccessToken "moved" for the grant
      And the grant service puts its answer's documents in the neighbouring site's namespace
      When the token is applied
      Then whatever the token created is in the site's namespace
      And the neighbouring site has no Secret and no Link

    Scenario: The answer's documents name kube-system
      Given a grant
      And an AccessToken "system" for the grant
      And the grant service puts its answer's documents in namespace "kube-system"
      When the token is applied
      Then whatever the token created is in the site's namespace

  @AT-HOSTILE-002 @MUST
  Rule: AT-HOSTILE-002 A document of another kind in the answer never becomes a resource of that kind
    Source: spec §2.5 (an answer is a Secret and Links); security: a redeemer that created what the answer says would let any grant service bind cluster-admin, run a Pod or grant itself a Role in the redeeming cluster

    # Judged through observe().others, the resources of other kinds an implementation reports; one that
    # reports none has these scenarios unsupported, not passed.
    Scenario Outline: A <kind> after the Links
      Given a grant
      And an AccessToken "kinds" for the grant
      And the grant service appends a document of kind <kind> named "planted" to its answer
      When the token is applied
      Then the token settles within 15 seconds
      And no <kind> named "planted" was created

      Examples:
        | kind               |
        | ClusterRoleBinding |
        | Role               |
        | Pod                |
        | ConfigMap          |

  @AT-HOSTILE-003 @SHOULD
  Rule: AT-HOSTILE-003 A document of another kind does not become a Link either
    Source: spec §3.1 (Skupper's decoder fills typed structs and never checks kind: a ClusterRoleBinding after the Links is created as a Link named after it); a Link made of a document that never was one is a Link nobody sent, so this is a warning

    Scenario Outline: A <kind> after the Links does not become a Link
      Given a grant
      And an AccessToken "not-a-link" for the grant
      And the grant service appends a document of kind <kind> named "planted" to its answer
      When the token is applied
      Then the token settles within 15 seconds
      And the <kind> "planted" did not become a Link

      Examples:
        | kind               |
        | ClusterRoleBinding |
        | ConfigMap          |

  @AT-HOSTILE-004 @MUST @feature:owner-references
  Rule: AT-HOSTILE-004 Owner references in the answer are replaced, never kept
    Source: spec §3.1 (ownerReferences replaced by the Site's); security: owner references decide garbage collection, so kept ones hand the life of the site's credential to the grant service: an owner that does not exist gets the Secret and Links collected, one that outlives the Site keeps the credential after the site is deleted. Judged where a garbage collector reads them (feature owner-references)

    Scenario: The answer's documents carry owner references of the grant service's
      Given a grant
      And an AccessToken "adopted" for the grant
      And the grant service gives its answer's documents owner references of its own
      When the token is applied
      Then the token settles within 15 seconds
      And no owner reference the grant service sent is on the Secret or a Link

  @AT-HOSTILE-005 @MUST
  Rule: AT-HOSTILE-005 A 200 answer cut off in the middle of the Secret fails the token and creates nothing
    Source: spec §3.1 (the Secret must decode); security: what arrived can still read as a Secret whose key is cut short and whose Links never came: creating it stores a broken credential and reports a redemption that did not happen. The grant service counted the redemption: the token is spent either way

    Scenario: The connection closes before the announced Content-Length
      Given a grant
      And an AccessToken "cut" for the grant
      And the grant service cuts its answer off in the middle of the Secret, before the Content-Length it announced
      When the token is applied
      Then the token fails
      And the site has no Secret and no Link

    Scenario: The connection closes before the last chunk
      Given a grant
      And an AccessToken "chunked" for the grant
      And the grant service cuts its answer off in the middle of the Secret, before the last chunk
      When the token is applied
      Then the token fails
      And the site has no Secret and no Link

  @AT-HOSTILE-006 @MUST
  Rule: AT-HOSTILE-006 A grant service that stalls in the handshake, after the headers or in the middle of the body ends in Error in bounded time
    Source: spec §3.1 (10 s client timeout: Go's http.Client.Timeout covers the whole exchange, the body included); security: a deadline that ends once the headers arrive lets any grant service hold a redeemer's worker, and the token, forever

    # The reference gives up after its 10 s client timeout; 15 s leaves a controller time to write the status.
    @slow @client-timeout
    Scenario: The grant service never finishes the TLS handshake
      Given a grant
      And an AccessToken "no-handshake" for the grant
      And the grant service stalls the TLS handshake
      When the token is applied
      Then the token fails within 15 seconds
      And the site has no Secret and no Link

    @slow @client-timeout
    Scenario: The grant service sends the headers of a 200, then nothing
      Given a grant
      And an AccessToken "headers-only" for the grant
      And the grant service sends the headers of its answer, then stalls
      When the token is applied
      Then the token fails within 15 seconds
      And the site has no Secret and no Link

    @slow @client-timeout
    Scenario: The grant service sends half of its answer, then nothing
      Given a grant
      And an AccessToken "half-body" for the grant
      And the grant service sends half of its answer, then stalls
      When the token is applied
      Then the token fails within 15 seconds
      And the site has no Secret and no Link

  @AT-HOSTILE-007 @SHOULD
  Rule: AT-HOSTILE-007 An answer of tens of MiB does not take the redeemer down
    Source: no document sets a size; Skupper's redeemers read any answer whole and quote a refusal's body whole in the status message, which an API server refuses beyond 1.5 MiB, so the token never reports an outcome. A warning: the redeemer must end in Ready or Error in bounded time, with a status it can store, and go on redeeming

    Scenario: A 200 answer whose Secret is padded to 40 MiB
      Given a grant
      And an AccessToken "padded" for the grant
      And the grant service pads its answer's Secret to 40 MiB
      When the token is applied
      Then the token settles within 20 seconds
      And the AccessToken is small enough for an API server to store
      When the grant service recovers
      And a grant
      And an AccessToken "afterwards" for the grant
      And the token "afterwards" is applied
      Then the token "afterwards" is redeemed

    Scenario: A 503 answer whose body is 40 MiB
      Given a grant
      And an AccessToken "verbose" for the grant
      And the grant service answers every request with status 503 and a body of 40 MiB
      When the token is applied
      Then the token settles within 20 seconds
      And the AccessToken is small enough for an API server to store
      When the grant service recovers
      And a grant
      And an AccessToken "afterwards" for the grant
      And the token "afterwards" is applied
      Then the token "afterwards" is redeemed
