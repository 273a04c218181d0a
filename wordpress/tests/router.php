<?php
/**
 * Router for `php -S` serving a WordPress test site: real files are served as they are,
 * everything else goes to WordPress's index.php (pretty permalinks, /wp-json/…).
 *
 * @package AdvikCoupons\Tests
 */

$advik_path = (string) parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH );
$advik_file = $_SERVER['DOCUMENT_ROOT'] . $advik_path;
if ( '/' !== $advik_path && ( is_file( $advik_file ) || is_file( rtrim( $advik_file, '/' ) . '/index.php' ) ) ) {
	return false;
}
$_SERVER['SCRIPT_NAME']     = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $_SERVER['DOCUMENT_ROOT'] . '/index.php';
require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
