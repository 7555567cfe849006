#!/usr/bin/env bash
# Screenshots of the platform's pages for the README, taken by the browser
# tests themselves (stellars_testing.browser.screenshot) as they run against
# a real hub: the images show what the tests checked. Writes docs/images/*.png.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
cd "$STELLARS_ROOT"

tools_bin=$(scripts/bootstrap-tools.sh | tail -n 1)
export STELLARS_SCREENSHOTS="$STELLARS_ROOT/docs/images"
# The tests that take one (each calls screenshot() where its page is complete).
tests=(
    test_the_sparkline_says_its_hours_in_words
    test_a_broadcast_to_everyone_reaches_each_running_lab_and_reports_it
    test_every_setting_is_listed_under_its_category_in_schema_order
    test_a_running_server_shows_its_state_resources_and_volumes_measured_now
    test_the_admin_sees_every_group_with_members_policy_and_outdated_servers
    test_a_user_offered_two_profiles_picks_the_second_and_the_server_gets_it
    test_a_name_like_an_existing_users_is_flagged_in_the_area
    test_existing_names_are_listed_as_skipped_beside_the_new_users
    test_the_warning_shows_in_jupyterlab_and_its_action_opens_the_session_card
)
selection=$(printf ' or %s' "${tests[@]}")
# Every browser test is in the browser layer, those on containers too.
"$tools_bin/nox" -s "integration(jupyterhub='6', layers='browser')" -- -k "${selection# or }"
log "screenshots in $STELLARS_SCREENSHOTS"
