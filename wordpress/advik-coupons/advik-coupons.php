<?php
/**
 * Plugin Name:       Advik Coupons
 * Plugin URI:        https://github.com/advik-coupons/advik-coupons
 * Description:       Connects this site to an Advik Coupons service: the "Have a coupon code?" widget as a shortcode, quote/redeem/cancel for your booking code, coupon events as WordPress actions, and single sign-on into the coupon admin.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      8.1
 * Author:            Advik Coupons
 * License:           MIT
 * License URI:       https://opensource.org/licenses/MIT
 * Text Domain:       advik-coupons
 *
 * @package AdvikCoupons
 */

defined( 'ABSPATH' ) || exit;

define( 'ADVIK_COUPONS_VERSION', '0.1.0' );

require_once __DIR__ . '/includes/options.php';
require_once __DIR__ . '/includes/webhook-signature.php';
require_once __DIR__ . '/includes/sso-token.php';
require_once __DIR__ . '/includes/client.php';
require_once __DIR__ . '/includes/shortcode.php';
require_once __DIR__ . '/includes/webhooks.php';
require_once __DIR__ . '/includes/sso.php';
require_once __DIR__ . '/includes/settings-page.php';

register_activation_hook( __FILE__, 'advik_coupons_activate' );

/**
 * Creates the settings option on activation (not autoloaded on every page: it holds secrets).
 */
function advik_coupons_activate(): void {
	add_option( ADVIK_COUPONS_OPTION, array(), '', false );
}
