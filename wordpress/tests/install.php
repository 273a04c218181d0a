<?php
/**
 * Installs a WordPress test site with WordPress's own wp_install(), then sets it up:
 *
 *     php install.php <site folder> '<json>'
 *
 * The site folder holds a copy of WordPress with its wp-config.php (written by the test
 * harness). The JSON gives: url, admin {login, password, email}, users [{login, password,
 * email, role}], options {name: value}, plugins [plugin files to activate], pages [{slug,
 * title, content}]. Prints {"pages": {slug: url}, "users": {login: id}} as JSON.
 *
 * @package AdvikCoupons\Tests
 */

[ , $advik_site, $advik_json ] = $argv;
$advik_config = json_decode( $advik_json, true, 512, JSON_THROW_ON_ERROR );
$advik_url    = parse_url( $advik_config['url'] );

$_SERVER['HTTP_HOST']   = $advik_url['host'] . ( isset( $advik_url['port'] ) ? ':' . $advik_url['port'] : '' );
$_SERVER['SERVER_NAME'] = $advik_url['host'];
$_SERVER['SERVER_PORT'] = (string) ( $advik_url['port'] ?? 80 );
$_SERVER['REQUEST_URI'] = '/';
define( 'WP_INSTALLING', true );
require $advik_site . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

$advik_admin = $advik_config['admin'];
$advik_done  = wp_install( 'Advik Coupons test site', $advik_admin['login'], $advik_admin['email'], false, '', $advik_admin['password'] );
$advik_users = array( $advik_admin['login'] => (int) $advik_done['user_id'] );
global $wp_rewrite;
$wp_rewrite->set_permalink_structure( '/%postname%/' );
flush_rewrite_rules();

foreach ( $advik_config['users'] as $advik_user ) {
	$advik_id = wp_insert_user(
		array(
			'user_login' => $advik_user['login'],
			'user_pass'  => $advik_user['password'],
			'user_email' => $advik_user['email'],
			'role'       => $advik_user['role'],
		)
	);
	if ( is_wp_error( $advik_id ) ) {
		fwrite( STDERR, $advik_id->get_error_message() . "\n" );
		exit( 1 );
	}
	$advik_users[ $advik_user['login'] ] = $advik_id;
}

foreach ( $advik_config['plugins'] as $advik_plugin ) {
	$advik_result = activate_plugin( $advik_plugin, '', false, false );
	if ( is_wp_error( $advik_result ) ) {
		fwrite( STDERR, $advik_result->get_error_message() . "\n" );
		exit( 1 );
	}
}
foreach ( $advik_config['options'] as $advik_name => $advik_value ) {
	update_option( $advik_name, $advik_value );
}

$advik_pages = array();
foreach ( $advik_config['pages'] as $advik_page ) {
	$advik_id = wp_insert_post(
		array(
			'post_type'    => 'page',
			'post_status'  => 'publish',
			'post_name'    => $advik_page['slug'],
			'post_title'   => $advik_page['title'],
			'post_content' => $advik_page['content'],
		),
		true
	);
	if ( is_wp_error( $advik_id ) ) {
		fwrite( STDERR, $advik_id->get_error_message() . "\n" );
		exit( 1 );
	}
	$advik_pages[ $advik_page['slug'] ] = get_permalink( $advik_id );
}
echo wp_json_encode(
	array(
		'pages' => $advik_pages,
		'users' => $advik_users,
	)
), "\n";
