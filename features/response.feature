@family:response @side:redeemer
Feature: The redemption response
  The grant service answers with a YAML stream: a Secret, then one Link per endpoint group. The redeemer
  creates them in its site's namespace, as sent, and creates nothing from an answer it cannot decode.

  @AT-RESP-001 @MUST
  Rule: AT-RESP-001 The Secret is created in the site's namespace, named after the token, as sent
    Source: docs/concepts-access-token.md ("site 1 sends site 2 the ... credentials"); spec §2.5, §3.1

    Scenario: The Secret arrives with the credentials the grant service sent
      Given a grant
      And an AccessToken "west" for the grant
      When the token is applied
      Then the token is redeemed
      And the site has a Secret named "west" of type "kubernetes.io/tls"
      And the Secret "west" holds the credentials the grant service sent

  @AT-RESP-002 @MUST
  Rule: AT-RESP-002 One endpoint group gives one Link named after the token
    Source: docs/concepts-access-token.md ("Tokens are redeemed for links"); spec §2.5

    Scenario: One endpoint group gives one Link
      Given a grant
      And an AccessToken "west" for the grant
      When the token is applied
      Then the token is redeemed
      And the site has exactly the Links "west"

  @AT-RESP-003 @MUST
  Rule: AT-RESP-003 Several endpoint groups give one Link each, named <token>-1, <token>-2, ...
    Source: spec §2.5, §7.1 item 6 (the concept page says one link)

    Scenario: Two endpoint groups give two Links
      Given a grant with 2 endpoint groups
      And an AccessToken "west" for the grant
      When the token is applied
      Then the token is redeemed
      And the site has exactly the Links "west-1" and "west-2"

    Scenario: Three endpoint groups give three Links
      Given a grant with 3 endpoint groups
      And an AccessToken "east" for the grant
      When the token is applied
      Then the token is redeemed
      And the site has exactly the Links "east-1", "east-2" and "east-3"

  @AT-RESP-004 @MUST
  Rule: AT-RESP-004 Each Link has the endpoints and tlsCredentials the grant service sent
    Source: docs/resources-link.md (endpoints, tlsCredentials); spec §2.5

    Scenario: Link endpoints and credentials are kept as sent
      Given a grant with 2 endpoint groups
      And an AccessToken "west" for the grant
      When the token is applied
      Then the token is redeemed
      And every Link has the endpoints and tlsCredentials the grant service sent

  @AT-RESP-005 @MUST
  Rule: AT-RESP-005 An empty answer fails and creates nothing
    Source: spec §3.1 (decodeAll: the Secret must decode)

    Scenario: An empty 200 answer
      Given a grant
      And an AccessToken "empty" for the grant
      And the grant service answers with an empty body
      When the token is applied
      Then the token fails
      And the site has no Secret and no Link

  @AT-RESP-006 @MUST
  Rule: AT-RESP-006 A malformed answer fails and creates nothing
    Source: spec §3.1 (decodeAll: the Secret must decode)

    Scenario: A 200 answer that is not YAML
      Given a grant
      And an AccessToken "garbled" for the grant
      And the grant service answers with a malformed body
      When the token is applied
      Then the token fails
      And the site has no Secret and no Link

    Scenario: A 200 answer that is a YAML scalar
      Given a grant
      And an AccessToken "scalar" for the grant
      And the grant service answers with the body "just some text"
      When the token is applied
      Then the token fails
      And the site has no Secret and no Link

  @AT-RESP-007 @SHOULD
  Rule: AT-RESP-007 An answer with a Secret and no Link succeeds with the Secret alone
    Source: spec §2.5 (no inter-router/edge endpoint), §3.1 (zero Links succeed)

    Scenario: The grant service sends the Secret and no Link
      Given a grant
      And an AccessToken "lonely" for the grant
      And the grant service answers with the Secret and no Link
      When the token is applied
      Then the token is redeemed
      And the site has a Secret named "lonely" of type "kubernetes.io/tls"
      And the site has no Link

    Scenario: A grant whose site has no router endpoints
      Given a grant whose endpoints have no inter-router or edge role
      And an AccessToken "no-router" for the grant
      When the token is applied
      Then the token is redeemed
      And the site has no Link

  @AT-RESP-008 @SHOULD
  Rule: AT-RESP-008 A broken document after a good Link ends the stream: the good Links are kept
    Source: spec §3.1 (decode Links until the first error), §7.2 (the system-mode redeemer fails instead)

    Scenario: A broken document follows the Link
      Given a grant
      And an AccessToken "tail" for the grant
      And the grant service appends a broken document to its answer
      When the token is applied
      Then the token is redeemed
      And the site has exactly the Links "tail"

  @AT-RESP-009 @SHOULD
  Rule: AT-RESP-009 An extra Link document after the Links is created too
    Source: spec §3.1 (Links are decoded until the end of the stream)

    Scenario: An extra Link follows the Link
      Given a grant
      And an AccessToken "extra" for the grant
      And the grant service appends a Link named "extra-more" to its answer
      When the token is applied
      Then the token is redeemed
      And the site has exactly the Links "extra" and "extra-more"

  @AT-RESP-010 @SHOULD @feature:owner-references
  Rule: AT-RESP-010 The Secret and Links are owned by the Site alone: exactly one owner reference, the Site's
    Source: spec §3.1 (ownerReferences replaced by exactly one entry: kind Site, apiVersion skupper.io/v2alpha1, the Site's name and UID)

    # The controller and blockOwnerDeletion flags are not judged: Skupper sets neither, and the spec gives them no consequence.
    Scenario: The only owner reference is the site's
      Given a grant
      And an AccessToken "owned" for the grant
      When the token is applied
      Then the token is redeemed
      And the Secret and every Link are owned by the site

  @AT-RESP-011 @SHOULD
  Rule: AT-RESP-011 A Secret name that is taken fails the redemption and creates no Link
    Source: spec §3.1 ("Controller could not create received secret"), §7.2 (system mode overwrites)

    Scenario: The answer's Secret collides with an existing one
      Given a grant that allows 2 redemptions
      And AccessTokens "first" and "second" for the grant
      When the token "first" is applied
      Then the token "first" is redeemed
      Given the grant service names its answer "first"
      When the token "second" is applied
      Then the token "second" fails with a message containing "already exists"
      And the site has exactly the Links "first"

  @AT-RESP-012 @SHOULD
  Rule: AT-RESP-012 A Link name that is taken fails the redemption; what was created stays
    Source: spec §3.1 ("Controller could not create received link", no rollback)

    Scenario: The answer's Link collides with an existing one
      Given a grant with 2 endpoint groups that allows 2 redemptions
      And AccessTokens "west" and "west-1" for the grant
      When the token "west" is applied
      Then the token "west" is redeemed
      Given the granting site now has a single endpoint group
      When the token "west-1" is applied
      Then the token "west-1" fails with a message containing "already exists"
      And the site has a Secret named "west-1" of type "kubernetes.io/tls"
      And the site has exactly the Links "west-1" and "west-2"
