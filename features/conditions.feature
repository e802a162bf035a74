@family:conditions @feature:status @side:redeemer
Feature: Status and the Redeemed condition
  An implementation that keeps AccessToken status reports each outcome in the Redeemed condition and
  mirrors it in status.status, status.message and status.redeemed, as Skupper's SetRedeemed does.

  # The MUST rules judge what the documentation names (the Redeemed condition, status.status Ready or Error,
  # status.message for errors, status.redeemed); Skupper's own words (reason Ready/Error, message OK) are
  # AT-MSG-005 and AT-MSG-006, SHOULD (docs/rules.md, "Levels")
  @AT-COND-001 @MUST
  Rule: AT-COND-001 A redeemed token has the condition Redeemed True
    Source: docs/accesstoken-resource.md (conditions: "Redeemed: The token has been exchanged for a link"); spec §3.1 (SetRedeemed)

    Scenario: The condition after success
      Given a grant
      And an AccessToken "ok" for the grant
      When the token is applied
      Then the token's Redeemed condition is "True"

  @AT-COND-002 @MUST
  Rule: AT-COND-002 A token that failed has the condition Redeemed False and a message that says why, naming the HTTP status when there was one
    Source: docs/accesstoken-resource.md (status.message: "Error messages are reported here"); spec §3.1

    Scenario: The condition after a refused code
      Given a grant
      And an AccessToken "refused" for the grant
      And the token's code is not the grant's code
      When the token is applied
      Then the token's Redeemed condition is "False" with a message containing "403"

    # an empty string in a field the CRD types as string (see docs/kubernetes.md on API servers that refuse it)
    @empty-string
    Scenario: The condition after a missing CA
      Given a grant
      And an AccessToken "no-ca" for the grant
      And the token's ca is empty
      When the token is applied
      Then the token's Redeemed condition is "False" with a message

  @AT-COND-003 @MUST
  Rule: AT-COND-003 status.status, status.message and status.redeemed mirror the Redeemed condition
    Source: docs/accesstoken-resource.md (status properties: status Pending, Error or Ready; message; redeemed); spec §3.1 (SetRedeemed)

    Scenario: The status after success
      Given a grant
      And an AccessToken "ok" for the grant
      When the token is applied
      Then the token's status is "Ready" with the condition's message
      And the token's status.redeemed is true

    Scenario: The status after failure
      Given a grant
      And an AccessToken "failed" for the grant
      And the grant service answers every request with status 500
      When the token is applied
      Then the token's status is "Error" with the condition's message
      And the token's status.redeemed is not true

  @AT-COND-004 @SHOULD @feature:resync
  Rule: AT-COND-004 A token that failed and later succeeds flips to True
    Source: spec §3.1 (retries until Redeemed is True; lastTransitionTime changes when the status flips)

    Scenario: From False to True
      Given a grant
      And an AccessToken "flip" for the grant
      And the grant service answers every request with status 503
      When the token is applied
      Then the token's Redeemed condition is "False" with reason "Error" and a message containing "503"
      When the grant service recovers
      And the site is resynced
      Then the token's Redeemed condition is "True" with reason "Ready" and message "OK"
      And the token's status.redeemed is true

  @AT-COND-005 @SHOULD @feature:resync
  Rule: AT-COND-005 lastTransitionTime changes only when the condition's status flips
    Source: spec §3.1 (setStatusCondition: a new error message alone keeps the old time)

    # waits a second on purpose: lastTransitionTime has second precision
    @slow
    Scenario: A new error message keeps the transition time
      Given a grant
      And an AccessToken "same-status" for the grant
      And the grant service answers every request with status 503
      When the token is applied
      Then the token's Redeemed condition is "False" with reason "Error" and a message containing "503"
      Given one second has passed
      And the grant service answers every request with status 500
      When the site is resynced
      Then the token's Redeemed condition is "False" with reason "Error" and a message containing "500"
      And the condition's lastTransitionTime has not changed

  @AT-COND-006 @SHOULD
  Rule: AT-COND-006 observedGeneration follows metadata.generation
    Source: spec §3.1 (observedGeneration = metadata.generation); CRD (observedGeneration int64 ≥ 0)

    Scenario: The condition records the generation it was computed for
      Given a grant
      And an AccessToken "gen" for the grant
      When the token is applied
      Then the token is redeemed
      And the condition's observedGeneration is the token's metadata.generation

    Scenario: An edited token that then succeeds records its new generation
      Given a grant
      And an AccessToken "gen-edit" for the grant
      And the token's url uses plain http
      When the token is applied
      Then the token fails
      When the token is applied again with the grant's url
      Then the token is redeemed
      And the condition's observedGeneration is the token's metadata.generation

  @AT-COND-007 @SHOULD @feature:site-deletion
  Rule: AT-COND-007 After its site is deleted a redeemed token shows True, reason Error, "Already redeemed for a deleted site"
    Source: spec §3.1 (SetRedeemedWithSiteDeletion), §7.1 item 8

    Scenario: A redeemed token after its site is deleted
      Given a grant
      And an AccessToken "orphaned" for the grant
      When the token is applied
      Then the token is redeemed
      When the site is deleted
      Then the token's Redeemed condition is "True" with reason "Error" and message "Already redeemed for a deleted site"
      And the token's status is "Error" with message "Already redeemed for a deleted site"
      And the token's status.redeemed is true

  @AT-COND-008 @SHOULD @feature:site-deletion
  Rule: AT-COND-008 Site deletion leaves tokens that were not redeemed as they were
    Source: spec §3.1 (only tokens whose Redeemed condition is True are updated)

    # an empty string in a field the CRD types as string (see docs/kubernetes.md on API servers that refuse it)
    @empty-string
    Scenario: A failed token after its site is deleted
      Given a grant
      And an AccessToken "never-made-it" for the grant
      And the token's ca is empty
      When the token is applied
      Then the token fails
      When the site is deleted
      Then the token's Redeemed condition is "False" with reason "Error" and a message containing "CA"

  @AT-COND-009 @MUST
  Rule: AT-COND-009 Every condition an implementation writes is valid under the CRD's schema
    Source: CRD accesstokens.skupper.io (condition items: type, status True/False/Unknown, reason pattern, message, lastTransitionTime date-time, observedGeneration ≥ 0)

    Scenario: Conditions after success are valid
      Given a grant
      And an AccessToken "valid-ok" for the grant
      When the token is applied
      Then the token is redeemed
      And the token is valid under the AccessToken CRD

    Scenario: Conditions after failure are valid
      Given a grant
      And an AccessToken "valid-failed" for the grant
      And the grant service answers every request with status 404
      When the token is applied
      Then the token fails
      And the token is valid under the AccessToken CRD

  @AT-COND-010 @SHOULD
  Rule: AT-COND-010 The only condition type on an AccessToken is Redeemed
    Source: docs/accesstoken-resource.md (conditions: only Redeemed)

    Scenario: Only the Redeemed condition
      Given a grant
      And an AccessToken "one-condition" for the grant
      When the token is applied
      Then the token is redeemed
      And the token's only condition is "Redeemed"
