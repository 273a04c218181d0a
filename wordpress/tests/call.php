<?php
/**
 * Calls one of the plugin's PHP functions inside the test site and prints what it answered:
 *
 *     php call.php <site folder> <site url> <function> '<json list of arguments>'
 *
 * Prints {"value": …} for an array or a scalar, {"error": {"code", "message", "data"}} for
 * a WP_Error, as JSON. Only the plugin's public functions (and uninstall_plugin) may be
 * called. ADVIK_TEST_HTTP_TIMEOUT in the environment sets the advik_coupons_http_timeout
 * filter.
 *
 * @package AdvikCoupons\Tests
 */

[ , $advik_site, $advik_site_url, $advik_function, $advik_args ] = $argv;
$advik_url = parse_url( $advik_site_url );

$_SERVER['HTTP_HOST']   = $advik_url['host'] . ( isset( $advik_url['port'] ) ? ':' . $advik_url['port'] : '' );
$_SERVER['SERVER_NAME'] = $advik_url['host'];
$_SERVER['REQUEST_URI'] = '/';
require $advik_site . '/wp-load.php';

$advik_allowed = array( 'advik_coupons_quote', 'advik_coupons_redeem', 'advik_coupons_cancel', 'advik_coupons_setting', 'advik_coupons_test_connection', 'advik_coupons_sso_token', 'get_option', 'update_option', 'set_transient', 'get_transient', 'uninstall_plugin' );
if ( 'uninstall_plugin' === $advik_function ) {
	require_once ABSPATH . 'wp-admin/includes/plugin.php';
}
if ( getenv( 'ADVIK_TEST_HTTP_TIMEOUT' ) ) {
	add_filter( 'advik_coupons_http_timeout', static fn () => (float) getenv( 'ADVIK_TEST_HTTP_TIMEOUT' ) );
}
if ( ! in_array( $advik_function, $advik_allowed, true ) ) {
	fwrite( STDERR, "not a public function of the plugin: $advik_function\n" );
	exit( 2 );
}
$advik_started = microtime( true );
$advik_answer  = call_user_func_array( $advik_function, json_decode( $advik_args, true, 512, JSON_THROW_ON_ERROR ) );
$advik_seconds = microtime( true ) - $advik_started;
if ( is_wp_error( $advik_answer ) ) {
	$advik_out = array(
		'error' => array(
			'code'    => $advik_answer->get_error_code(),
			'message' => $advik_answer->get_error_message(),
			'data'    => $advik_answer->get_error_data(),
		),
	);
} else {
	$advik_out = array( 'value' => $advik_answer );
}
$advik_out['seconds'] = $advik_seconds;
echo wp_json_encode( $advik_out ), "\n";
